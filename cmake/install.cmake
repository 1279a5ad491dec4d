# Installation: headers, libraries, CMake package config and pkg-config file.
