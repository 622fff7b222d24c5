// Command hello stands in for the game client in tests: a main package that
// builds to WebAssembly in seconds.
package main

import "fmt"

func main() {
	fmt.Println("hei maailma")
}
