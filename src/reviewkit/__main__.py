from reviewkit.cli.fast import main

if __name__ == "__main__":  # not when a spawned process imports it
    main()
