# What ML teams leak: a Hugging Face token in a notebook cell, an Azure OpenAI key assignment.
. "$EXAMPLES/lib.sh"
init
mkdir -p notebooks src
hf="hf_$(printf 'jCBaQngSHiHDRYOc')sMcifUcysGyaiybUWz"
cat > notebooks/finetune.ipynb <<NB
{"cells": [{"cell_type": "code", "source": ["from huggingface_hub import login\n", "login(token=\"$hf\")\n"]}]}
NB
printf 'import os\nAZURE_OPENAI_KEY = "%s"\n' "$(printf '5e5e9971')06afca542d42ac0ae8b29aa0" > src/llm.py
commit "fine-tune"
