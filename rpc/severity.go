package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Severity is the Severity namespace: bug severities. It belongs to the
// bug tracker, which is always on for now.
type Severity struct{ s *Server }

var severityMethods = []Method{
	{Name: "Severity.filter", Access: Perms, Perms: []string{"bugs.view_severity"}, Returns: "array",
		Doc: "Severities matching the query ({id, name, weight, icon, color}), by id. Filterable: id, name, weight, icon, color."},
	{Name: "Severity.create", Access: Perms, Perms: []string{"bugs.add_severity"}, Returns: "struct",
		Doc: "Creates a severity from {name (unique, max 64), weight, icon (CSS classes), color (#rgb or #rrggbb)}, all required, and returns it."},
}

var severityForm = weightedForm{nameMax: 64, nameRequired: true}

// Filter answers Severity.filter.
func (s *Severity) Filter(r *http.Request, args *QueryArgs, reply *[]store.WeightedStatus) (err error) {
	*reply, err = s.s.store.FilterSeverities(r.Context(), args.Query)
	return err
}

// Create answers Severity.create.
func (s *Severity) Create(r *http.Request, args *ValuesArgs, reply *store.WeightedStatus) error {
	v, err := severityForm.create(args.Values)
	if err != nil {
		return err
	}
	*reply, err = s.s.store.CreateSeverity(r.Context(), v)
	return err
}
