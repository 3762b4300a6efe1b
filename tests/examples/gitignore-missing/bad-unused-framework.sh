# A scikit-learn project whose .gitignore covers what it produces but not Keras' *.h5 or
# wandb/: advice (a warning), not an error.
. "$EXAMPLES/lib.sh"
init
good_gitignore
sed -i '/^\*\.h5$/d; /^wandb\/$/d' .gitignore
echo "scikit-learn==1.5.0" > requirements.txt
commit "project"
