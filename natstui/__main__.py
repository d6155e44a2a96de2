"""`python -m natstui` runs the same entry point as the `natstui` console script."""

from natstui.cli import main

raise SystemExit(main())
