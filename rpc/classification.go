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
}

// Filter answers Classification.filter.
func (c *Classification) Filter(r *http.Request, args *QueryArgs, reply *[]store.Classification) (err error) {
	*reply, err = c.s.store.FilterClassifications(r.Context(), args.Query)
	return err
}

// Create answers Classification.create.
func (c *Classification) Create(r *http.Request, args *ValuesArgs, reply *store.Classification) error {
	f := newForm(args.Values)
	name := f.text("name", true, 64)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = c.s.store.CreateClassification(r.Context(), name)
	return err
}
