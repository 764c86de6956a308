package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

// testServer is an in-process SMTP server on 127.0.0.1 (random port).
type testServer struct {
	Port       int
	mu         sync.Mutex
	msgs       []received
	user, pass string // AUTH PLAIN required when user is set
}

type session struct {
	srv  *testServer
	conn *smtp.Conn
	user string
	msg  received
}

func (s *session) AuthMechanisms() []string {
	if s.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.pass {
			return errors.New("bad credentials")
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.msg = received{From: from, TLS: isTLS, User: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }

// startServer starts a server; tlsMode is "none", "starttls" or "tls".
func startServer(t *testing.T, tlsMode string, cert *tls.Certificate) *testServer {
	t.Helper()
	ts := &testServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: ts, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = tlsMode == "none"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Port = l.Addr().(*net.TCPAddr).Port
	switch tlsMode {
	case "starttls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	case "tls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// parsed is a received message decoded as a mail client would.
type parsed struct {
	Subject, From, Text string
	Files               map[string][]byte
	FileTypes           map[string]string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range data[:bytes.Index(data, []byte("\r\n\r\n"))] {
		if b >= 0x80 {
			t.Fatal("raw 8-bit byte in the headers: the subject must be RFC 2047-encoded")
		}
	}
	p := parsed{Subject: subj, From: m.Header.Get("From"), Files: map[string][]byte{}, FileTypes: map[string]string{}}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		p.Text = decodeText(t, m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return p
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if name := part.FileName(); name != "" {
			if n, err := dec.DecodeHeader(name); err == nil {
				name = n
			}
			raw, _ := io.ReadAll(part)
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
			if err != nil {
				t.Fatalf("attachment %s: %v", name, err)
			}
			p.Files[name] = b
			p.FileTypes[name] = part.Header.Get("Content-Type")
			continue
		}
		// multipart.Reader has already decoded quoted-printable.
		b, _ := io.ReadAll(part)
		p.Text += string(b)
	}
	return p
}

func decodeText(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	b, _ := io.ReadAll(r)
	if strings.EqualFold(cte, "base64") {
		d, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
		if err != nil {
			t.Fatal(err)
		}
		return string(d)
	}
	if strings.EqualFold(cte, "quoted-printable") {
		mr := multipart.NewReader(strings.NewReader("--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+string(b)+"\r\n--b--\r\n"), "b")
		part, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		d, _ := io.ReadAll(part)
		return string(d)
	}
	return string(b)
}

var vnMessage = Message{
	To:      []string{"vhxh.trieuthanh@trieuson.thanhhoa.gov.vn"},
	Subject: "Nhắc nộp biểu mẫu tự đánh giá chuyển đổi số năm 2023 — hạn 15/12/2023",
	Text:    "Kính gửi UBND xã Triệu Thành,\n\nĐề nghị đơn vị điền các ô màu vàng và nộp trước ngày 15/12/2023.\nTrân trọng.\n",
	Attachments: []Attachment{
		{Name: "bieu-mau-ts01-xa-trieu-thanh-2023.xlsx", Data: []byte("PK\x03\x04 not really a workbook \x00\xff")},
	},
}

func checkReceived(t *testing.T, ts *testServer, want Message) received {
	t.Helper()
	msgs := ts.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages", len(msgs))
	}
	got := msgs[0]
	if strings.Join(got.To, ",") != strings.Join(want.To, ",") {
		t.Errorf("recipients = %v; want %v", got.To, want.To)
	}
	if got.From != "chiso@trieuson.gov.vn" {
		t.Errorf("envelope from = %q", got.From)
	}
	p := parse(t, got.Data)
	if p.Subject != want.Subject {
		t.Errorf("subject = %q; want %q", p.Subject, want.Subject)
	}
	if strings.ReplaceAll(p.Text, "\r\n", "\n") != want.Text {
		t.Errorf("text = %q; want %q", p.Text, want.Text)
	}
	if !strings.Contains(p.From, "chiso@trieuson.gov.vn") {
		t.Errorf("From header = %q", p.From)
	}
	for _, a := range want.Attachments {
		if !bytes.Equal(p.Files[a.Name], a.Data) {
			t.Errorf("attachment %s = %q; want %q (files %v)", a.Name, p.Files[a.Name], a.Data, p.FileTypes)
		}
	}
	if len(p.Files) != len(want.Attachments) {
		t.Errorf("%d attachments; want %d", len(p.Files), len(want.Attachments))
	}
	return got
}

func TestSendPlainVietnamese(t *testing.T) {
	ts := startServer(t, "none", nil)
	s, err := NewSMTP(Options{Host: "127.0.0.1", Port: ts.Port, From: "Chỉ số CĐS huyện <chiso@trieuson.gov.vn>", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	s.HELO = "localhost"
	if err := s.Send(context.Background(), vnMessage); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, ts, vnMessage)
	p := parse(t, ts.messages()[0].Data)
	if ct := p.FileTypes[vnMessage.Attachments[0].Name]; !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("attachment type = %q", ct)
	}
	if !strings.Contains(p.From, "chiso@trieuson.gov.vn") {
		t.Errorf("From = %q", p.From)
	}
	if from, _ := new(mime.WordDecoder).DecodeHeader(p.From); !strings.Contains(from, "Chỉ số CĐS huyện") {
		t.Errorf("From display name = %q", from)
	}
}

func TestSendSeveralRecipientsAndFiles(t *testing.T) {
	ts := startServer(t, "none", nil)
	s, _ := NewSMTP(Options{Host: "127.0.0.1", Port: ts.Port, From: "chiso@trieuson.gov.vn", TLS: "none"})
	m := Message{
		To:      []string{"a@x.vn", "b@x.vn"},
		Subject: "Danh sách đơn vị chưa nộp — 08/12/2023",
		Text:    strings.Repeat("Xã Hợp Lý — chưa nộp; liên hệ Nguyễn Thị Hoà, 0912 345 678.\n", 40),
		Attachments: []Attachment{
			{Name: "nhac-nop-2023-12-08.txt", Data: []byte("\ufeffDanh sách\r\n")},
			{Name: "a.xlsx", Data: bytes.Repeat([]byte{0, 1, 2, 255}, 5000)},
		},
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, ts, m)
}

func TestSendAuthOverPlainConnection(t *testing.T) {
	ts := startServer(t, "none", nil)
	ts.user, ts.pass = "chiso", "mật-khẩu"
	cfg := Options{Host: "127.0.0.1", Port: ts.Port, From: "chiso@trieuson.gov.vn", TLS: "none", Username: "chiso", Password: "mật-khẩu"}
	s, _ := NewSMTP(cfg)
	if err := s.Send(context.Background(), vnMessage); err != nil {
		t.Fatal(err)
	}
	if got := checkReceived(t, ts, vnMessage); got.User != "chiso" {
		t.Errorf("authenticated as %q", got.User)
	}
	cfg.Password = "sai"
	s, _ = NewSMTP(cfg)
	if err := s.Send(context.Background(), vnMessage); err == nil {
		t.Error("a wrong password was accepted")
	}
}

func TestSendSTARTTLSAndImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			ts := startServer(t, mode, cert)
			ts.user, ts.pass = "chiso", "secret"
			s, err := NewSMTP(Options{Host: "127.0.0.1", Port: ts.Port, From: "chiso@trieuson.gov.vn", TLS: mode, Username: "chiso", Password: "secret"})
			if err != nil {
				t.Fatal(err)
			}
			s.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
			if err := s.Send(context.Background(), vnMessage); err != nil {
				t.Fatal(err)
			}
			got := checkReceived(t, ts, vnMessage)
			if !got.TLS || got.User != "chiso" {
				t.Errorf("TLS %v, user %q", got.TLS, got.User)
			}
		})
	}
}

func TestSTARTTLSIsMandatory(t *testing.T) {
	ts := startServer(t, "none", nil) // offers no STARTTLS
	s, _ := NewSMTP(Options{Host: "127.0.0.1", Port: ts.Port, From: "chiso@trieuson.gov.vn", TLS: "starttls"})
	if err := s.Send(context.Background(), vnMessage); err == nil {
		t.Fatal("sent in clear although starttls is configured")
	}
	if n := len(ts.messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSendTimesOutOnSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // never greets
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	s, _ := NewSMTP(Options{Host: "127.0.0.1", Port: port, From: "chiso@trieuson.gov.vn", TLS: "none"})
	s.Timeout = 300 * time.Millisecond
	start := time.Now()
	if err := s.Send(context.Background(), vnMessage); err == nil {
		t.Fatal("no error from a silent server")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	// A cancelled context stops the send too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Timeout = time.Minute
	if err := s.Send(ctx, vnMessage); err == nil {
		t.Error("no error with a cancelled context")
	}
}

func TestBadInput(t *testing.T) {
	for _, cfg := range []Options{
		{From: "a@b.vn"},
		{Host: "h"},
		{Host: "h", From: "a@b.vn", TLS: "ssl"},
		{Host: "h", From: "a@b.vn", Port: 70000},
	} {
		if _, err := NewSMTP(cfg); err == nil {
			t.Errorf("NewSMTP(%+v): no error", cfg)
		}
	}
	s, _ := NewSMTP(Options{Host: "127.0.0.1", Port: 1, From: "a@b.vn", TLS: "none"})
	if err := s.Send(context.Background(), Message{Subject: "x"}); err == nil {
		t.Error("a message without recipients: no error")
	}
	err := s.Send(context.Background(), Message{To: []string{"không phải email"}, Subject: "x"})
	if err == nil || !strings.Contains(err.Error(), "không phải email") {
		t.Errorf("bad recipient: %v", err)
	}
	s, _ = NewSMTP(Options{Host: "127.0.0.1", Port: 1, From: "not an address", TLS: "none"})
	if err := s.Send(context.Background(), Message{To: []string{"a@b.vn"}}); err == nil {
		t.Error("bad from: no error")
	}
}

func TestDefaultPorts(t *testing.T) {
	for mode, want := range map[string]int{"": 587, "starttls": 587, "tls": 465, "none": 25} {
		s, _ := NewSMTP(Options{Host: "mail.example.vn", From: "a@b.vn", TLS: mode})
		c, err := newClient(s)
		if err != nil {
			t.Fatal(err)
		}
		_, p, _ := net.SplitHostPort(c.ServerAddr())
		got, _ := strconv.Atoi(p)
		if got != want {
			t.Errorf("tls %q: port %d; want %d", mode, got, want)
		}
	}
}
