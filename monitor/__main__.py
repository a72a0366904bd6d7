from __future__ import annotations

if __name__ == "__main__":  # worker processes re-import this module: do not run the CLI there
    from monitor.cli import main

    main()
