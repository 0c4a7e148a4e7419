package api

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"sync"

	"franja/domain"
	"franja/lang"
)

// Go's HTTP server answers some requests itself, before any handler runs:
// a request line or header it cannot parse (a bad percent-escape in the
// path, no Host) is a 400 and headers past MaxHeaderBytes a 431, both as
// text/plain. ProblemListener makes those answers problems too, in the
// language the request asked for, like every other error.

// ProblemListener wraps ln so that the HTTP server's own error answers on
// its connections become RFC 9457 problems.
func ProblemListener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: c}, nil
}

// problemConn remembers the start of what the client sent since the last
// answer (to read its Accept-Language), and rewrites the server's own
// error answers.
type problemConn struct {
	net.Conn
	mu   sync.Mutex
	read []byte
}

// maxSniff bounds what a connection keeps of a request to find its
// Accept-Language.
const maxSniff = 16 << 10

func (c *problemConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := maxSniff - len(c.read); room > 0 {
		c.read = append(c.read, p[:min(n, room)]...)
	}
	c.mu.Unlock()
	return n, err
}

func (c *problemConn) Write(p []byte) (int, error) {
	if !serverAnswerStart(p) {
		// A handler's answer (or the rest of one): the next request's
		// sniff starts afresh, in the same buffer.
		c.mu.Lock()
		c.read = c.read[:0]
		c.mu.Unlock()
		return c.Conn.Write(p)
	}
	c.mu.Lock()
	sent := c.read
	c.read = nil
	c.mu.Unlock()
	if problem, ok := serverProblem(p, sent); ok {
		if _, err := c.Conn.Write(problem); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// serverAnswerStart reports whether p may be one of net/http's own error
// answers, before the regular expression below decides: they all start
// with a 4xx status line.
func serverAnswerStart(p []byte) bool {
	return len(p) > 12 && bytes.HasPrefix(p, []byte("HTTP/1.")) && p[9] == '4'
}

// serverErrorRe matches a whole answer written by net/http itself: a 4xx
// status line, exactly these two headers, and the status text as the body.
var serverErrorRe = regexp.MustCompile("^HTTP/1\\.[01] (4[0-9][0-9]) ([^\r\n]*)\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n([^\r\n]*)$")

var acceptLanguageRe = regexp.MustCompile(`(?i)\r\nAccept-Language:[ \t]*([^\r\n]*)`)

// serverProblem renders the server's own error answer p as a problem, in
// the language the request (sent) asks for.
func serverProblem(p, sent []byte) ([]byte, bool) {
	m := serverErrorRe.FindSubmatch(p)
	if m == nil {
		return nil, false
	}
	status, _ := strconv.Atoi(string(m[1]))
	var e *domain.Error
	switch {
	case status == http.StatusRequestHeaderFieldsTooLarge:
		e = domain.Errorf(domain.EHeaderTooLarge, "the request's headers are too large: send fewer or shorter ones")
	case bytes.Contains(m[3], []byte("Host header")):
		e = domain.Errorf(domain.EMalformed, "the request has no Host header (or more than one)")
	default:
		e = domain.Errorf(domain.EMalformed, "the request line or a header cannot be read: check the path's percent-escapes (a percent sign itself is written %25) and the headers' syntax")
	}
	l := lang.Spanish
	if h := acceptLanguageRe.FindSubmatch(sent); h != nil {
		l = lang.Negotiate(string(h[1]))
	}
	shown := l.Error(e)
	body, _ := json.Marshal(Problem{Type: "https://franja.dev/problems/" + string(e.Code), Title: l.Text(titles[e.Code]),
		Status: status, Detail: shown.Message, Code: e.Code})
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + string(m[1]) + " " + string(m[2]) + "\r\n")
	b.WriteString("Content-Type: application/problem+json\r\nContent-Language: " + l.String() + "\r\nVary: Accept-Language\r\n")
	b.WriteString("Cache-Control: no-store\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return b.Bytes(), true
}
