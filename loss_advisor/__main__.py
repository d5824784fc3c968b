from loss_advisor.surfaces.cli import main

raise SystemExit(main())
