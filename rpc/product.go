package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Product is the Product namespace.
type Product struct{ s *Server }

var productMethods = []Method{
	{Name: "Product.filter", Access: Perms, Perms: []string{"management.view_product"}, Returns: "array",
		Doc: "Products matching the query (everything when left out) as {id, name, description, classification}, by id."},
	{Name: "Product.create", Access: Perms, Perms: []string{"management.add_product"}, Returns: "struct",
		Doc: "Creates a product from {name (unique), classification, description} with its --default-- category and its unspecified version and build; returns {id, name, classification, description}."},
}

// Filter answers Product.filter.
func (p *Product) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.Product) (err error) {
	*reply, err = p.s.store.FilterProducts(r.Context(), args.Query)
	return err
}

// Create answers Product.create.
func (p *Product) Create(r *http.Request, args *ValuesArgs, reply *store.Product) error {
	f := newForm(args.Values)
	name := f.text("name", true, 255)
	classification := f.id("classification", true)
	description := f.text("description", false, 0)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = p.s.store.CreateProduct(r.Context(), store.NewProduct{Name: name, ClassificationID: *classification, Description: description})
	return err
}
