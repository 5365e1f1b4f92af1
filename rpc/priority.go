package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Priority is the Priority namespace: test case priorities.
type Priority struct{ s *Server }

var priorityMethods = []Method{
	{Name: "Priority.filter", Access: Perms, Perms: []string{"management.view_priority"}, Returns: "array",
		Doc: "Priorities matching the query as {id, value, is_active}, by id. P1 to P5 are seeded."},
	{Name: "Priority.create", Access: Perms, Perms: []string{"management.add_priority"}, Returns: "struct",
		Doc: "Creates a priority from {value (unique), is_active (false when absent)} and returns {id, value, is_active}."},
}

// Filter answers Priority.filter.
func (p *Priority) Filter(r *http.Request, args *QueryArgs, reply *[]store.Priority) (err error) {
	*reply, err = p.s.store.FilterPriorities(r.Context(), args.Query)
	return err
}

// Create answers Priority.create.
func (p *Priority) Create(r *http.Request, args *ValuesArgs, reply *store.Priority) error {
	f := newForm(args.Values)
	value := f.text("value", true, 64)
	active := f.boolean("is_active", false)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = p.s.store.CreatePriority(r.Context(), value, active)
	return err
}
