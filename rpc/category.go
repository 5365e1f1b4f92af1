package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Category is the Category namespace: test case categories of a product.
type Category struct{ s *Server }

var categoryMethods = []Method{
	{Name: "Category.filter", Access: Perms, Perms: []string{"testcases.view_category"}, Returns: "array",
		Doc: "Categories matching the query as {id, name, product, description}, by id. Every product has --default--."},
	{Name: "Category.create", Access: Perms, Perms: []string{"testcases.add_category"}, Returns: "struct",
		Doc: "Creates a category from {name, product, description (optional)}, unique per product; returns {id, name, product, description}."},
}

// Filter answers Category.filter.
func (c *Category) Filter(r *http.Request, args *QueryArgs, reply *[]store.Category) (err error) {
	*reply, err = c.s.store.FilterCategories(r.Context(), args.Query)
	return err
}

// Create answers Category.create.
func (c *Category) Create(r *http.Request, args *ValuesArgs, reply *store.Category) error {
	f := newForm(args.Values)
	name := f.text("name", true, 255)
	product := f.id("product", true)
	description := f.text("description", false, 0)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.CreateCategory(r.Context(), store.Category{Name: name, ProductID: *product, Description: description})
	return err
}
