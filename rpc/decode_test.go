package rpc

import (
	"testing"
)

func TestForm(t *testing.T) {
	f := newForm(map[string]any{"version": "x", "name": "", "long": "abcdef", "ok": "7", "flag": "false", "n": "z"})
	f.text("name", true, 0)
	f.id("version", true)
	f.id("product", true)
	f.text("long", false, 5)
	if id := f.id("ok", true); id == nil || *id != 7 {
		t.Fatalf("id %v", id)
	}
	if f.boolean("flag", true) || !f.boolean("absent", true) {
		t.Fatal("boolean")
	}
	f.integer("n", 0)
	want := `[('name', ['This field is required.']), ('version', ['Select a valid choice. That choice is not one of the available choices.']), ('product', ['This field is required.']), ('long', ['Ensure this value has at most 5 characters (it has 6).']), ('n', ['Enter a whole number.'])]`
	if err := f.err(); err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	if newForm(nil).err() != nil {
		t.Fatal("an empty form has no errors")
	}
	if got := pyRepr(`it's`); got != `"it's"` {
		t.Fatal(got)
	}
}
