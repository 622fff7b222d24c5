// Package arrows holds the test that keeps the module's import arrows
// pointing one way: shared/ imports only the standard library and the
// codec; the server and the client never import each other, test files
// included; only tests reach the harness in internal/.
package arrows
