. "$EXAMPLES/lib.sh"
init
mkdir -p data/raw src/data
printf 'a,b\n1,2\n' > churn.csv
printf 'x' > data/raw/part-0.bin
printf 'y' > data/raw/part-1.bin
echo "# loaders" > src/data/__init__.py
mkdir -p images && printf 'png' > images/../data/cat.png
commit "add data"
