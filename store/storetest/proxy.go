package storetest

import (
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Proxy stands between a store and its database, so that a test can cut
// the database off and bring it back without touching the server every
// other test shares.
type Proxy struct {
	ln      net.Listener
	network string // of the database
	addr    string
	mu      sync.Mutex
	pairs   [][2]net.Conn // client and database side, in the order accepted
	cut     bool
}

// NewProxy returns a proxy to the database of dbURL and the URL that
// reaches the same database through it. It is closed at cleanup.
func NewProxy(t testing.TB, dbURL string) (*Proxy, string) {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{network: "tcp", addr: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))}
	if len(cfg.Host) > 0 && cfg.Host[0] == '/' {
		p.network, p.addr = "unix", cfg.Host+"/.s.PGSQL."+strconv.Itoa(int(cfg.Port))
	}
	if p.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("host")
	q.Del("port")
	u.Host, u.RawQuery = p.ln.Addr().String(), q.Encode()
	go p.serve()
	t.Cleanup(func() {
		p.ln.Close()
		p.Cut(0)
	})
	return p, u.String()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		p.mu.Lock()
		var db net.Conn
		if !p.cut {
			db, err = net.Dial(p.network, p.addr)
		}
		if p.cut || err != nil {
			c.Close()
			p.mu.Unlock()
			continue
		}
		p.pairs = append(p.pairs, [2]net.Conn{c, db})
		p.mu.Unlock()
		go pipe(c, db)
		go pipe(db, c)
	}
}

func pipe(dst, src net.Conn) {
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// Cut closes every connection but the first keep ones it accepted, and
// refuses new ones until Restore: to the store, the database is gone.
func (p *Proxy) Cut(keep int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for i, pair := range p.pairs {
		if i >= keep {
			pair[0].Close()
			pair[1].Close()
		}
	}
}

// Restore accepts connections again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}
