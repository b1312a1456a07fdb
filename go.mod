module github.com/p2pcam/p2pcam

go 1.26.0

toolchain go1.26.8

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
