# An HTTPS server and client on Ruby's openssl extension, for tests/ruby/run.sh.
#
#   ruby https.rb server PORT      serve until killed (or until CONNS connections)
#   ruby https.rb client URL       Net::HTTP requests, one result line per request
#   ruby https.rb socket HOST PORT one OpenSSL::SSL::SSLSocket connection (ALPN, raw)
#
# Settings come from the environment (all optional):
#   CERT KEY        server (or client) certificate chain file and key (PEM)
#   CA              CA file: verifies the peer (a server then asks for client certificates)
#   VERIFY          none | peer | require (server: require = fail without a client certificate)
#   MIN MAX         TLS1_2 | TLS1_3
#   ALPN            comma-separated protocols (server: its preference order)
#   TICKETS=0       server: SSL_OP_NO_TICKET
#   CIPHERS         OpenSSL cipher string (TLS 1.2)
#   CONNS           server: stop after this many connections
#   REQUESTS        client: sequential requests, each on a new connection (resumption)
#   KEEPALIVE       client: requests over one connection
#   POST_SIZE       client: POST this many bytes of a fixed pattern; the server answers
#                   with their length and MD5
#
# Server responses are `key=value` lines describing the connection; errors of the server
# go to stderr as `error: CLASS: MESSAGE` (tests/ruby/run.sh reads them as the log).
# The client prints `status=... protocol=... cipher=... reused=... body=...` per request,
# or `error: CLASS: MESSAGE` and exits 1.
require 'socket'
require 'openssl'
require 'net/http'
require 'digest'

$stdout.sync = true
$stderr.sync = true

# The libssl this process mapped (tests check that the intended library is in use).
def libssl_path
  File.readlines('/proc/self/maps').map { |l| l.split[5] }.compact.grep(/libssl\.so/).uniq.join(',')
end

VERSIONS = { 'TLS1_2' => OpenSSL::SSL::TLS1_2_VERSION, 'TLS1_3' => OpenSSL::SSL::TLS1_3_VERSION }.freeze

def pem_chain(path)
  File.read(path).scan(/-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----/m)
      .map { |c| OpenSSL::X509::Certificate.new(c) }
end

def base_context
  ctx = OpenSSL::SSL::SSLContext.new
  ctx.min_version = VERSIONS.fetch(ENV['MIN']) if ENV['MIN']
  ctx.max_version = VERSIONS.fetch(ENV['MAX']) if ENV['MAX']
  ctx.ciphers = ENV['CIPHERS'] if ENV['CIPHERS']
  if ENV['CERT']
    chain = pem_chain(ENV['CERT'])
    ctx.cert = chain.first
    ctx.extra_chain_cert = chain.drop(1) unless chain.size < 2
    ctx.key = OpenSSL::PKey.read(File.read(ENV['KEY']))
  end
  ctx
end

def describe(ssl)
  peer = ssl.peer_cert
  [
    "protocol=#{ssl.ssl_version}",
    "cipher=#{ssl.cipher&.first}",
    "alpn=#{ssl.alpn_protocol}",
    "reused=#{ssl.session_reused?}",
    "peer=#{peer ? peer.subject.to_s : '-'}",
  ]
end

# One HTTP/1.1 exchange per loop; returns when the client closes.
def serve_http(ssl)
  loop do
    line = ssl.gets
    break if line.nil? || line.strip.empty?
    headers = {}
    while (h = ssl.gets) && h != "\r\n"
      k, v = h.split(':', 2)
      headers[k.downcase] = v.strip
    end
    body = ''
    len = headers['content-length'].to_i
    body = ssl.read(len) if len.positive?
    lines = describe(ssl) + ["path=#{line.split[1]}"]
    lines << "posted=#{body.bytesize} md5=#{Digest::MD5.hexdigest(body)}" if len.positive?
    if (m = line.split[1].match(%r{^/bytes/(\d+)}))
      payload = 'x' * m[1].to_i
      lines << "payload_md5=#{Digest::MD5.hexdigest(payload)}"
      out = lines.join("\n") + "\n" + payload
    else
      out = lines.join("\n") + "\n"
    end
    ssl.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: #{out.bytesize}\r\n\r\n#{out}")
    break if headers['connection'] == 'close'
  end
end

def server(port)
  ctx = base_context
  if ENV['CA']
    ctx.ca_file = ENV['CA']
    ctx.verify_mode = OpenSSL::SSL::VERIFY_PEER
    ctx.verify_mode |= OpenSSL::SSL::VERIFY_FAIL_IF_NO_PEER_CERT if ENV['VERIFY'] == 'require'
  end
  ctx.options |= OpenSSL::SSL::OP_NO_TICKET if ENV['TICKETS'] == '0'
  if ENV['ALPN']
    prefs = ENV['ALPN'].split(',')
    ctx.alpn_select_cb = lambda do |offered|
      prefs.find { |p| offered.include?(p) } or raise 'no shared ALPN protocol'
    end
  end
  tcp = TCPServer.new('127.0.0.1', Integer(port))
  srv = OpenSSL::SSL::SSLServer.new(tcp, ctx)
  srv.start_immediately = true
  puts "libssl=#{libssl_path}"
  puts "listening on #{port} (#{OpenSSL::OPENSSL_LIBRARY_VERSION})"
  conns = ENV['CONNS'] ? Integer(ENV['CONNS']) : nil
  threads = []
  count = 0
  loop do
    break if conns && count >= conns
    begin
      ssl = srv.accept
    rescue OpenSSL::SSL::SSLError, SystemCallError, IOError => e
      warn "error: #{e.class}: #{e.message}"
      count += 1
      next
    end
    count += 1
    threads << Thread.new(ssl) do |s|
      begin
        serve_http(s)
      rescue StandardError => e
        warn "error: #{e.class}: #{e.message}"
      ensure
        begin
          s.close
        rescue StandardError => e
          warn "error: close: #{e.class}: #{e.message}"
        end
      end
    end
  end
  threads.each(&:join)
end

def client(url)
  uri = URI(url)
  http = Net::HTTP.new(uri.host, uri.port)
  http.use_ssl = true
  http.open_timeout = 10
  http.read_timeout = 10
  http.ca_file = ENV['CA'] if ENV['CA']
  http.verify_mode = ENV['VERIFY'] == 'none' ? OpenSSL::SSL::VERIFY_NONE : OpenSSL::SSL::VERIFY_PEER
  http.min_version = VERSIONS.fetch(ENV['MIN']) if ENV['MIN']
  http.max_version = VERSIONS.fetch(ENV['MAX']) if ENV['MAX']
  http.ciphers = ENV['CIPHERS'] if ENV['CIPHERS']
  if ENV['CERT']
    chain = pem_chain(ENV['CERT'])
    http.cert = chain.first
    http.extra_chain_cert = chain.drop(1) unless chain.size < 2
    http.key = OpenSSL::PKey.read(File.read(ENV['KEY']))
  end
  puts "libssl=#{libssl_path}"
  requests = Integer(ENV.fetch('REQUESTS', '1'))
  keepalive = Integer(ENV.fetch('KEEPALIVE', '1'))
  requests.times do
    http.start do |h|
      keepalive.times do
        req = if ENV['POST_SIZE']
                r = Net::HTTP::Post.new(uri.request_uri)
                r.body = (0...Integer(ENV['POST_SIZE'])).map { |i| (97 + (i % 26)).chr }.join
                r
              else
                Net::HTTP::Get.new(uri.request_uri)
              end
        res = h.request(req)
        sock = h.instance_variable_get(:@socket).io
        puts "status=#{res.code} protocol=#{sock.ssl_version} cipher=#{sock.cipher&.first} " \
             "reused=#{sock.session_reused?} bytes=#{res.body.bytesize} " \
             "body_md5=#{Digest::MD5.hexdigest(res.body)}"
        res.body.each_line.first(7).each { |l| puts "  | #{l.chomp}" unless l.start_with?('x') }
      end
    end
  end
rescue StandardError => e
  puts "error: #{e.class}: #{e.message}"
  exit 1
end

# A bare SSLSocket: ALPN and what the handshake gives, one request.
def socket(host, port)
  ctx = base_context
  if ENV['CA']
    ctx.ca_file = ENV['CA']
    ctx.verify_mode = OpenSSL::SSL::VERIFY_PEER
    ctx.verify_hostname = true
  end
  ctx.alpn_protocols = ENV['ALPN'].split(',') if ENV['ALPN']
  puts "libssl=#{libssl_path}"
  tcp = TCPSocket.new(host, Integer(port))
  ssl = OpenSSL::SSL::SSLSocket.new(tcp, ctx)
  ssl.hostname = 'localhost'
  ssl.sync_close = true
  ssl.connect
  describe(ssl).each { |l| puts l }
  ssl.write("GET /socket HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
  data = ssl.read
  puts "response=#{data.lines.first&.chomp}"
  ssl.close
rescue StandardError => e
  puts "error: #{e.class}: #{e.message}"
  exit 1
end

case ARGV[0]
when 'server' then server(ARGV[1])
when 'client' then client(ARGV[1])
when 'socket' then socket(ARGV[1], ARGV[2])
else
  warn 'usage: https.rb server PORT | client URL | socket HOST PORT'
  exit 2
end
