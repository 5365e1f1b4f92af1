package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Component is the Component namespace: the parts of a product.
type Component struct{ s *Server }

var componentMethods = []Method{
	{Name: "Component.filter", Access: Perms, Perms: []string{"management.view_component"}, Returns: "array",
		Doc: "Components matching the query as {id, name, product, initial_owner, description, cases}, one row per linked test case (cases null when none), by id."},
	{Name: "Component.create", Access: Perms, Perms: []string{"management.add_component"}, Returns: "struct",
		Doc: `Creates a component from {name, product, initial_owner (the caller when absent), description ("Created via API" when absent)}, unique per product; returns {id, name, product, initial_owner, description}.`},
	{Name: "Component.update", Access: Perms, Perms: []string{"management.change_component"}, Returns: "struct",
		Doc: "Sets the given fields of a component (name, product, initial_owner, description; absent ones are kept) and returns {id, name, product, initial_owner, description}."},
	{Name: "Component.remove", Access: Perms, Perms: []string{"management.delete_component"}, Returns: "array",
		Doc: "Deletes the components a non-empty query matches (Component.filter's keys) and returns [total, {model: count}]; refused, naming it, while a test case is linked to one of them."},
}

// Filter answers Component.filter.
func (c *Component) Filter(r *http.Request, args *QueryArgs, reply *[]store.ComponentRow) (err error) {
	*reply, err = c.s.store.FilterComponents(r.Context(), args.Query)
	return err
}

// componentDescription is what Kiwi's Component.create stores when the
// values have no description key.
const componentDescription = "Created via API"

// Create answers Component.create.
func (c *Component) Create(r *http.Request, args *ValuesArgs, reply *store.Component) error {
	f := newForm(args.Values)
	name := f.text("name", true, 64)
	product := f.id("product", true)
	caller := caller(r).UserID
	owner := &caller
	if f.has("initial_owner") {
		owner = f.id("initial_owner", false)
	}
	description := componentDescription
	if f.has("description") {
		description = f.text("description", true, 0)
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.CreateComponent(r.Context(), store.NewComponent{Name: name, ProductID: *product, InitialOwnerID: owner, Description: description})
	return err
}

// ComponentUpdateArgs are the parameters of Component.update.
type ComponentUpdateArgs struct {
	ComponentID int64          `json:"component_id"`
	Values      map[string]any `json:"values"`
}

// Update answers Component.update.
func (c *Component) Update(r *http.Request, args *ComponentUpdateArgs, reply *store.Component) error {
	f := newForm(args.Values)
	p := store.ComponentPatch{Name: patchText(f, "name", 64), ProductID: patchID(f, "product"),
		SetOwner: f.has("initial_owner"), Description: patchText(f, "description", 0)}
	if p.SetOwner {
		p.InitialOwnerID = f.id("initial_owner", false)
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.UpdateComponent(r.Context(), args.ComponentID, p)
	return err
}

// Remove answers Component.remove with [total, {model: count}].
func (c *Component) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, c.s.store.RemoveComponents)
}
