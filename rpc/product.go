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
	{Name: "Product.update", Access: Perms, Perms: []string{"management.change_product"}, Returns: "struct",
		Doc: "Sets the given fields of a product (name, classification, description; absent ones are kept) and returns {id, name, classification, description}."},
	{Name: "Product.remove", Access: Perms, Perms: []string{"management.delete_product"}, Returns: "array",
		Doc: "Deletes the products a non-empty query matches with their categories, versions, builds and components, and returns [total, {model: count}]; refused, naming it and what refers to it, while a test plan, test case, test run, test execution or bug refers to one of them or to its parts."},
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

// ProductUpdateArgs are the parameters of Product.update.
type ProductUpdateArgs struct {
	ProductID int64          `json:"product_id"`
	Values    map[string]any `json:"values"`
}

// Update answers Product.update.
func (p *Product) Update(r *http.Request, args *ProductUpdateArgs, reply *store.Product) error {
	f := newForm(args.Values)
	patch := store.ProductPatch{Name: patchText(f, "name", 255), ClassificationID: patchID(f, "classification")}
	if f.has("description") {
		patch.Description = new(f.text("description", false, 0))
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = p.s.store.UpdateProduct(r.Context(), args.ProductID, patch)
	return err
}

// Remove answers Product.remove with [total, {model: count}].
func (p *Product) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, p.s.store.RemoveProducts)
}
