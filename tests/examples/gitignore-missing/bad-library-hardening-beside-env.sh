# A command-line tool that names no ML framework and holds no model, data or run log: those
# entries are hardening (warnings); its developer's untracked .env would be committed (an error).
. "$EXAMPLES/lib.sh"
init
mkdir -p src/tool
printf '__pycache__/\n*.egg-info/\n' > .gitignore
printf '[project]\nname = "tool"\ndependencies = ["click==8.1.7", "httpx==0.27.0"]\n' > pyproject.toml
printf 'import click\n' > src/tool/__init__.py
commit "tool"
printf 'API_URL=http://localhost:8000\n' > .env
