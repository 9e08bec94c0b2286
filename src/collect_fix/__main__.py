from collect_fix.cli import main

raise SystemExit(main())
