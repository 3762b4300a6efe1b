# Small models in a folder named for examples (kserve's sklearnserver/example_models/, a
# server's test inputs) ship with the code: warnings. The project's trained model is an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p python/sklearnserver/sklearnserver/example_models/pkl/model \
  python/pmmlserver/pmmlserver/example_model/model models
touch python/sklearnserver/sklearnserver/__init__.py
head -c 4419 /dev/zero > python/sklearnserver/sklearnserver/example_models/pkl/model/model.pkl
head -c 4378 /dev/zero > python/pmmlserver/pmmlserver/example_model/model/model.pmml
head -c 90000 /dev/zero > models/churn.pkl
commit "servers and model"
