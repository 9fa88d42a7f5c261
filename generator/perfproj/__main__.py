from perfproj.cli import main

main()
