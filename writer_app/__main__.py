import sys

try:
    from writer_app.cli import main
except KeyboardInterrupt:  # Ctrl-C while the program itself was loading
    print("writer-app: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
