package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Classification is the Classification namespace: the groups products
// belong to.
type Classification struct{ s *Server }

var classificationMethods = []Method{
	{Name: "Classification.filter", Access: Perms, Perms: []string{"management.view_classification"}, Returns: "array",
		Doc: "Classifications matching the query ({id, name}), by id. None is seeded."},
	{Name: "Classification.create", Access: Perms, Perms: []string{"management.add_classification"}, Returns: "struct",
		Doc: "Creates a classification from {name} (required, unique, at most 64 characters) and returns {id, name}."},
	{Name: "Classification.update", Access: Perms, Perms: []string{"management.change_classification"}, Returns: "struct",
		Doc: "Renames a classification: values {name} (required, unique, at most 64 characters); returns {id, name}."},
	{Name: "Classification.remove", Access: Perms, Perms: []string{"management.delete_classification"}, Returns: "array",
		Doc: "Deletes the classifications a non-empty query matches and returns [total, {model: count}]; refused, naming it, while a product belongs to one of them."},
}

// Filter answers Classification.filter.
func (c *Classification) Filter(r *http.Request, args *QueryArgs, reply *[]store.Classification) (err error) {
	*reply, err = c.s.store.FilterClassifications(r.Context(), args.Query)
	return err
}

// Create answers Classification.create.
func (c *Classification) Create(r *http.Request, args *ValuesArgs, reply *store.Classification) error {
	name, err := requiredName(args.Values, 64)
	if err == nil {
		*reply, err = c.s.store.CreateClassification(r.Context(), name)
	}
	return err
}

// ClassificationUpdateArgs are the parameters of Classification.update.
type ClassificationUpdateArgs struct {
	ClassificationID int64          `json:"classification_id"`
	Values           map[string]any `json:"values"`
}

// Update answers Classification.update.
func (c *Classification) Update(r *http.Request, args *ClassificationUpdateArgs, reply *store.Classification) error {
	name, err := requiredName(args.Values, 64)
	if err == nil {
		*reply, err = c.s.store.UpdateClassification(r.Context(), args.ClassificationID, name)
	}
	return err
}

// Remove answers Classification.remove with [total, {model: count}].
func (c *Classification) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, c.s.store.RemoveClassifications)
}
