#!/usr/bin/perl
# gen-data.pl: the data files `with-rustls-libssl --check` reads, made from the build.
#
# usage: gen-data.pl ROOT LIB INCLUDE OUTDIR
#   ROOT     the repository (reads rustls-libssl/src/abi/*.rs)
#   LIB      the built libssl.so.3
#   INCLUDE  the OpenSSL 3 headers (/usr/include: ssl.h, tls1.h, dtls1.h for ctrl names)
#   OUTDIR   where to write:
#     exports.txt              every function the library exports, one a line
#     unsupported-exports.txt  NAME<TAB>why: exports that only fail with "not supported"
#     ctrl-commands.txt        NUMBER<TAB>NAMES<TAB>STATUS<TAB>WHY<TAB>CB-STATUS<TAB>CB-WHY: how
#                              SSL_ctrl/SSL_CTX_ctrl (STATUS) and the callback_ctrls (CB-)
#                              treat the number: ok, unsupported or unknown
#     version                  the version line built into the library
use strict;
use warnings;

my ($root, $lib, $include, $out) = @ARGV;
die "usage: gen-data.pl ROOT LIB INCLUDE OUTDIR\n" unless defined $out;

sub slurp { my ($f) = @_; open(my $h, '<', $f) or die "$f: $!\n"; local $/; my $t = <$h>; close $h; return $t; }
sub spew { my ($f, $t) = @_; open(my $h, '>', $f) or die "$f: $!\n"; print $h $t; close $h or die "$f: $!\n"; }

# 1. Exports of the built library (readelf: the dynamic symbols it defines, at OPENSSL_3.0.0).
my %exported;
open(my $re, '-|', 'readelf', '-W', '--dyn-syms', $lib) or die "readelf: $!\n";
while (<$re>) {
    my @f = split ' ';
    next unless @f >= 8 && $f[3] eq 'FUNC' && $f[6] ne 'UND';
    (my $name = $f[7]) =~ s/@.*//;
    $exported{$name} = 1;
}
close $re;
die "no exports read from $lib\n" unless %exported;
spew("$out/exports.txt", join('', map { "$_\n" } sort keys %exported));

# 2. Exports that only say "not supported": functions of src/abi whose body has no path to
#    success (it returns Err(Error::NotSupported(..)) and no Ok). Every export is defined
#    (build.rs refuses to build otherwise).
my %unsupported;
for my $file (glob("$root/rustls-libssl/src/abi/*.rs")) {
    my $text = slurp($file);
    $text =~ s{//[^\n]*}{}g;
    while ($text =~ /extern "C" fn (\w+)\s*\(/g) {
        my ($name, $pos) = ($1, pos($text));
        my $open = index($text, '{', $pos);
        next if $open < 0;
        my ($depth, $i) = (0, $open);
        for (; $i < length $text; $i++) {
            my $c = substr($text, $i, 1);
            $depth++ if $c eq '{';
            $depth-- if $c eq '}';
            last if $depth == 0;
        }
        my $body = substr($text, $open, $i - $open + 1);
        if ($body =~ /NotSupported\("([^"]*)"\)/ && $body !~ /\bOk\(/ && $body !~ /\bSome\(/) {
            $unsupported{$name} = "not supported: $1";
        }
    }
}
# Methods whose contexts SSL_CTX_new refuses.
for (grep { /^DTLS/ && /_method$/ } keys %exported) {
    $unsupported{$_} = 'DTLS: SSL_CTX_new fails with "not supported" for this method';
}
spew("$out/unsupported-exports.txt",
     join('', map { "$_\t$unsupported{$_}\n" } grep { $exported{$_} } sort keys %unsupported));

# 3. ctrl commands: every SSL_CTRL_*/DTLS_CTRL_* number of the OpenSSL headers, and whether
#    SSL_ctrl/SSL_CTX_ctrl/the callback_ctrls handle it (named in src/abi/ctrl.rs).
my (%names, %value);
for my $h (qw(ssl.h tls1.h dtls1.h)) {
    my $text = slurp("$include/openssl/$h");
    while ($text =~ /^#\s*define\s+((?:SSL|DTLS)_CTRL_\w+)\s+(\d+)\s*$/mg) {
        push @{ $names{$2} }, $1;
        $value{$1} = $2;
    }
}
my $ctrl = slurp("$root/rustls-libssl/src/abi/ctrl.rs");
$ctrl =~ s{//[^\n]*}{}g;
# The callback_ctrl functions' bodies give the callback commands; the rest, the others.
my $callbacks = '';
while ($ctrl =~ /fn (?:SSL_CTX_callback_ctrl|SSL_callback_ctrl)\s*\(/g) {
    my $start = $-[0];
    my $open = index($ctrl, '{', pos($ctrl));
    my ($depth, $i) = (0, $open);
    for (; $i < length $ctrl; $i++) {
        my $c = substr($ctrl, $i, 1);
        $depth++ if $c eq '{';
        $depth-- if $c eq '}';
        last if $depth == 0;
    }
    $callbacks .= substr($ctrl, $start, $i - $start + 1);
    substr($ctrl, $start, $i - $start + 1) = '';
    pos($ctrl) = $start;
}
sub handled_in {
    my ($text) = @_;
    my %h;
    $h{ $value{$1} } = 1 while $text =~ /sys::((?:SSL|DTLS)_CTRL_\w+)/g;
    while ($text =~ /sys::((?:SSL|DTLS)_CTRL_\w+)\s*\.\.=\s*sys::((?:SSL|DTLS)_CTRL_\w+)/g) {
        $h{$_} = 1 for $value{$1} .. $value{$2};
    }
    return %h;
}
my %handled = handled_in($ctrl);
my %cb_handled = handled_in($callbacks);
my %srp = map { $value{$_} => 1 } grep { defined $value{$_} }
    qw(SSL_CTRL_SET_TLS_EXT_SRP_USERNAME SSL_CTRL_SET_TLS_EXT_SRP_PASSWORD);
my $unknown = "not handled: returns 0 (RUSTLS_LIBSSL_DEBUG=warn logs each call)";
my $table = '';
for my $n (sort { $a <=> $b } keys %names) {
    my $all = join(',', @{ $names{$n} });
    my $c = $srp{$n} ? "unsupported\tTLS-SRP: fails with \"not supported\""
          : $handled{$n} ? "ok\t-" : "unknown\t$unknown";
    my $cb = $cb_handled{$n} ? "ok\t-" : "unknown\t$unknown";
    $table .= "$n\t$all\t$c\t$cb\n";
}
spew("$out/ctrl-commands.txt", $table);

# 4. The version line built into the library.
my $bin = slurp($lib);
$bin =~ /(rustls-libssl [0-9][0-9A-Za-z.+-]* \(rustls [^()]*\))/ or die "no version line in $lib\n";
spew("$out/version", "$1\n");
printf "%d exports, %d only \"not supported\", %d ctrl commands (%d handled)\n",
    scalar(keys %exported), scalar(grep { $exported{$_} } keys %unsupported),
    scalar(keys %names), scalar(grep { $handled{$_} || $cb_handled{$_} } keys %names);
