# Not datasets: the .DS_Store a file browser leaves in a data folder (the data itself is
# ignored), and the license report a package ships (alibi's licenses/license_info.csv, written
# by pip-licenses).
. "$EXAMPLES/lib.sh"
init
mkdir -p data/prepared licenses
printf '*.csv\n' > data/prepared/.gitignore
head -c 6148 /dev/zero > data/prepared/.DS_Store
printf '"Name","Version","License"\n"numpy","1.26.4","BSD License"\n' > licenses/license_info.csv
printf '"Name","License"\n"numpy","BSD License"\n' > licenses/license_info.no_versions.csv
commit "junk and license reports"
