import sys

from .cli import leave, main

code = main()
leave(code, sys.argv[1] if len(sys.argv) > 1 else None)
sys.exit(code)
