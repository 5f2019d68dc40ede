"""The bundle's entry point: the same command line as the installed `writer-app`."""

from writer_app.cli import main

raise SystemExit(main())
