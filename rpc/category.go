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
	{Name: "Category.update", Access: Perms, Perms: []string{"testcases.change_category"}, Returns: "struct",
		Doc: "Sets the given fields of a category (name, product, description; absent ones are kept) and returns {id, name, product, description}."},
	{Name: "Category.remove", Access: Perms, Perms: []string{"testcases.delete_category"}, Returns: "array",
		Doc: "Deletes the categories a non-empty query matches and returns [total, {model: count}]; refused, naming it, while a test case is in one of them."},
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

// CategoryUpdateArgs are the parameters of Category.update.
type CategoryUpdateArgs struct {
	CategoryID int64          `json:"category_id"`
	Values     map[string]any `json:"values"`
}

// Update answers Category.update.
func (c *Category) Update(r *http.Request, args *CategoryUpdateArgs, reply *store.Category) error {
	f := newForm(args.Values)
	patch := store.CategoryPatch{Name: patchText(f, "name", 255), ProductID: patchID(f, "product")}
	if f.has("description") {
		patch.Description = new(f.text("description", false, 0))
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.UpdateCategory(r.Context(), args.CategoryID, patch)
	return err
}

// Remove answers Category.remove with [total, {model: count}].
func (c *Category) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, c.s.store.RemoveCategories)
}
