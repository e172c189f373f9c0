"""`python -m smtp_setup` runs the command line."""

from smtp_setup.cli import main

raise SystemExit(main())
