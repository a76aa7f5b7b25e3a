module github.com/lambdamcp/lambdamcp

go 1.26
