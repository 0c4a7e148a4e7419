// Package apiclient is where api.TestGeneratedClient writes the Go client
// that oapi-codegen generates from the document the server serves, and
// then compiles and runs against the real server (build tag apiclient):
// proof that the contract works through a tool integrators use. The
// generated file is not kept (see .gitignore); this file pins the modules
// it imports, so that they are in go.mod and go.sum.
package apiclient

import (
	_ "github.com/oapi-codegen/nullable"
	_ "github.com/oapi-codegen/runtime"
)
