module github.com/p2pcam/p2pcam

go 1.26

toolchain go1.26.8
