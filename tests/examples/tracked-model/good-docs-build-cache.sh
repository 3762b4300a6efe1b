# A Sphinx or Jupyter Book build's cache (`_build/.doctrees/environment.pickle`, drift-primer's
# and recommenders' shape) is a pickle, but not a model.
. "$EXAMPLES/lib.sh"
init
mkdir -p main-content/_build/.doctrees docs/_build/doctrees
head -c 1100000 /dev/zero > main-content/_build/.doctrees/environment.pickle
head -c 4000 /dev/zero > main-content/_build/.doctrees/intro.doctree
head -c 2000 /dev/zero > docs/_build/doctrees/environment.pickle
commit "book build"
