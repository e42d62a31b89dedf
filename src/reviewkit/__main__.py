from reviewkit.cli.fast import main

main()
