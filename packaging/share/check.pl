#!/usr/bin/perl
# with-rustls-libssl --check: which libssl.so.3 a program loads, and what of libssl it uses
# that rustls-libssl lacks or only answers with "not supported".
#
# usage: check.pl LIBDIR DATADIR PROGRAM [FILE...]
#   LIBDIR   the directory holding rustls-libssl's libssl.so.3
#   DATADIR  exports.txt, unsupported-exports.txt, ctrl-commands.txt (packaging/gen-data.pl)
#   PROGRAM  a program (a name on PATH or a file); FILEs are more objects to examine, such
#            as modules the program loads at run time (nginx's /usr/lib/nginx/modules/*.so)
#
# Exit status: 0 nothing missing or unsupported, 1 something it refers to is not supported
# (it fails if the program calls it), 2 a symbol is missing (the program would not start),
# 3 usage or tool errors.
use strict;
use warnings;

my ($libdir, $datadir, $program, @extra) = @ARGV;
sub usage { print STDERR "usage: with-rustls-libssl --check PROGRAM [FILE...]\n"; exit 3; }
usage() unless defined $program;

for my $tool (qw(readelf objdump)) {
    next if grep { -x "$_/$tool" } split(/:/, $ENV{PATH} // '/usr/bin:/bin');
    print STDERR "with-rustls-libssl --check needs $tool (apt-get install binutils)\n";
    exit 3;
}

sub slurp_lines {
    my ($f) = @_;
    open(my $h, '<', $f) or do { print STDERR "$f: $!\n"; exit 3; };
    my @l = <$h>;
    chomp @l;
    return @l;
}

my %exported = map { $_ => 1 } slurp_lines("$datadir/exports.txt");
my %unsupported = map { split(/\t/, $_, 2) } slurp_lines("$datadir/unsupported-exports.txt");
my (%ctrl_name, %ctrl_status, %ctrl_why, %cb_status, %cb_why);
for (slurp_lines("$datadir/ctrl-commands.txt")) {
    my ($n, $names, $st, $why, $cst, $cwhy) = split /\t/;
    ($ctrl_name{$n}, $ctrl_status{$n}, $ctrl_why{$n}, $cb_status{$n}, $cb_why{$n}) =
        ($names, $st, $why, $cst, $cwhy);
}

# The program's file.
my $file = $program;
if ($program !~ m{/}) {
    ($file) = grep { -f $_ && -x _ } map { "$_/$program" } split(/:/, $ENV{PATH} // '');
    defined $file or do { print STDERR "$program: not found on PATH\n"; exit 3; };
}
-f $file or do { print STDERR "$file: no such file\n"; exit 3; };

my $shim = "$libdir/libssl.so.3";
my $shim_real = realpath($shim);

sub realpath {
    my ($p) = @_;
    return undef unless defined $p && -e $p;
    open(my $h, '-|', 'readlink', '-f', '--', $p) or return $p;
    my $r = <$h>;
    close $h;
    chomp $r if defined $r;
    return $r || $p;
}

# ldd's view: name => path, with the environment given.
sub ldd {
    my ($env_libdir, $f) = @_;
    local $ENV{LD_LIBRARY_PATH} = $env_libdir if defined $env_libdir;
    delete local $ENV{LD_LIBRARY_PATH} unless defined $env_libdir;
    delete local $ENV{LD_PRELOAD};
    my %libs;
    open(my $h, '-|', 'ldd', $f) or return ();
    while (<$h>) {
        if (/^\s*(\S+)\s+=>\s+(\S+)/) {
            $libs{$1} = $2;
        } elsif (/^\s*(\/\S+)\s+\(0x/) {
            $libs{$1} = $1;
        }
    }
    close $h;
    return %libs;
}

sub describe_lib {
    my ($path) = @_;
    return "not loaded" unless defined $path;
    return "not found" if $path eq 'not';
    my $real = realpath($path);
    my $what = (defined $shim_real && defined $real && $real eq $shim_real) ? 'rustls-libssl'
             : is_shim_file($real) ? 'rustls-libssl'
             : 'OpenSSL';
    return "$path ($what)";
}

sub is_shim_file {
    my ($p) = @_;
    return 0 unless defined $p && -f $p;
    open(my $h, '<:raw', $p) or return 0;
    local $/ = \1048576;
    while (my $chunk = <$h>) {
        return 1 if index($chunk, 'rustls-libssl ') >= 0 && $chunk =~ /rustls-libssl [0-9][^()]* \(rustls /;
    }
    return 0;
}

my %now = ldd(undef, $file);
my %shimmed = ldd($libdir, $file);
my ($mode, $uid) = (stat $file)[2, 4];
print "program: $file\n";
print "libssl.so.3 when started as usual:       ", describe_lib($now{'libssl.so.3'}), "\n";
print "libssl.so.3 through with-rustls-libssl:  ", describe_lib($shimmed{'libssl.so.3'}), "\n";
if ($mode & 06000) {
    print "note: the program is set-user-ID or set-group-ID: the dynamic linker ignores LD_LIBRARY_PATH and LD_PRELOAD for it\n";
}
if (defined $shimmed{'libssl.so.3'} && describe_lib($shimmed{'libssl.so.3'}) !~ /rustls-libssl\)$/) {
    print "note: LD_LIBRARY_PATH does not reach this program's libssl (an RPATH?): try with-rustls-libssl --preload\n";
}

# Objects to examine: the program, the libraries it loads that import from libssl.so.3, and
# the extra files.
my @objects = ($file);
for my $name (sort keys %now) {
    my $path = $now{$name};
    next if $path eq 'not' || $name =~ /^(libssl|libcrypto)\.so/ || $path =~ m{/(libssl|libcrypto)\.so};
    push @objects, $path;
}
push @objects, @extra;

my ($n_missing, $n_unsupported, $n_unknown_ctrl, $any_ssl) = (0, 0, 0, 0);
for my $obj (@objects) {
    my @imports = libssl_imports($obj);
    next unless @imports || grep { $_ eq $obj } ($file, @extra);
    if (!@imports) {
        print "\n$obj: imports nothing from libssl.so.3\n" if $obj eq $file && !keys %now;
        next if $obj eq $file;
        print "\n$obj: imports nothing from libssl.so.3\n";
        next;
    }
    $any_ssl = 1;
    my @missing = grep { !$exported{ $_->[0] } } @imports;
    my @unsup = grep { $exported{ $_->[0] } && $unsupported{ $_->[0] } } @imports;
    printf "\n%s: %d libssl function(s)\n", $obj, scalar @imports;
    for (@missing) {
        my ($name, $ver) = @$_;
        print "  MISSING      $name", ($ver ? "\@$ver" : ''), ": rustls-libssl does not export it: the program will not start on it\n";
    }
    for (@unsup) {
        print "  unsupported  $_->[0]: $unsupported{ $_->[0] }\n";
    }
    $n_missing += @missing;
    $n_unsupported += @unsup;
    if (grep { $_->[0] =~ /^(SSL_CTX_ctrl|SSL_ctrl|SSL_CTX_callback_ctrl|SSL_callback_ctrl)$/ } @imports) {
        my ($uses, $unread) = ctrl_uses($obj);
        for my $key (sort { $a->[1] <=> $b->[1] || $a->[0] cmp $b->[0] } map { [split /\t/] } keys %$uses) {
            my ($fn, $n) = @$key;
            my $cb = $fn =~ /callback_ctrl/;
            my $status = ($cb ? $cb_status{$n} : $ctrl_status{$n}) // 'unknown';
            my $why = ($cb ? $cb_why{$n} : $ctrl_why{$n}) // 'not an OpenSSL 3.0 command: returns 0';
            my $name = $ctrl_name{$n} // "command $n";
            next if $status eq 'ok';
            print "  ctrl         $fn($name = $n): $status: $why\n";
            $status eq 'unsupported' ? $n_unsupported++ : $n_unknown_ctrl++;
        }
        my $seen = scalar keys %$uses;
        print "  ctrl commands: $seen distinct read from the machine code",
            ($unread ? ", $unread call site(s) whose command is not a constant there" : ''), "\n";
    }
}

print "\n";
if (!$any_ssl) {
    print "No examined object imports libssl.so.3 functions",
        (keys %now ? '' : ' (a static program, or not an ELF program?)'),
        ". A program may still load libssl with dlopen (as modules or scripting languages do): run it with RUSTLS_LIBSSL_DEBUG=warn to see at run time.\n";
}
printf "Summary: %d missing symbol(s), %d unsupported function(s) or ctrl command(s), %d ctrl command(s) the shim does not handle.\n",
    $n_missing, $n_unsupported, $n_unknown_ctrl;
print "Limits: this lists what the code refers to, not what it calls: an unsupported function it never\n",
      "reaches does no harm. ctrl commands are the constants loaded just before each call in the\n",
      "machine code (a command passed in a variable is counted as not a constant). Functions found\n",
      "through dlopen/dlsym and modules loaded at run time are not seen unless given as FILE.\n",
      "At run time, RUSTLS_LIBSSL_DEBUG=warn logs every unsupported call and unknown ctrl command.\n";
exit($n_missing ? 2 : ($n_unsupported || $n_unknown_ctrl) ? 1 : 0);

# [name, version] of each function OBJ imports from libssl.so.3: versioned imports whose
# version is needed from libssl.so.3, and unversioned imports of libssl's names.
sub libssl_imports {
    my ($obj) = @_;
    my %ssl_versions;    # version index => 1 for versions needed from libssl.so.3
    my $current = '';
    open(my $v, '-|', 'readelf', '-W', '-V', $obj) or return ();
    while (<$v>) {
        $current = $1 if /File:\s*(\S+)/;
        next unless $current eq 'libssl.so.3';
        $ssl_versions{$1} = 1 if /Name:\s*\S+\s+Flags:.*Version:\s*(\d+)/;
    }
    close $v;
    my @out;
    open(my $s, '-|', 'readelf', '-W', '--dyn-syms', $obj) or return ();
    while (<$s>) {
        my @f = split ' ';
        next unless @f >= 8 && $f[6] eq 'UND' && $f[7] ne '';
        my ($name, $ver) = split /@+/, $f[7];
        my $index = (@f >= 9 && $f[8] =~ /^\((\d+)\)$/) ? $1 : undef;
        if (defined $ver && defined $index) {
            push @out, [$name, $ver] if $ssl_versions{$index};
        } elsif (!defined $ver && $exported{$name}) {
            push @out, [$name, undef];
        } elsif (defined $ver && !defined $index && %ssl_versions) {
            # Older readelf: no index column; trust the name.
            push @out, [$name, $ver] if $exported{$name} || $ver =~ /^OPENSSL_3/ && $name =~ /^(SSL|TLS|DTLS|BIO_.*ssl)/i;
        }
    }
    close $s;
    my %seen;
    return grep { !$seen{ $_->[0] }++ } @out;
}

# The ctrl commands OBJ passes: for each call of a *_ctrl function, the constant last moved
# into %esi (the second argument) since the previous call.
sub ctrl_uses {
    my ($obj) = @_;
    my (%uses, $unread);
    $unread = 0;
    open(my $d, '-|', 'objdump', '-d', '--no-show-raw-insn', $obj) or return (\%uses, 0);
    my $esi;
    while (<$d>) {
        if (/^[0-9a-f]+ <.*>:$/) {
            undef $esi;
            next;
        }
        if (/\t(?:call|jmp)\s.*<(SSL_CTX_ctrl|SSL_ctrl|SSL_CTX_callback_ctrl|SSL_callback_ctrl)(?:\@plt)?(?:\@[\w.]+)?>/) {
            my $fn = $1;
            # The PLT entries themselves jump to the GOT: not call sites.
            next if /\tjmp\s+\*/;
            if (defined $esi) {
                $uses{"$fn\t$esi"}++;
            } else {
                $unread++;
            }
            undef $esi;
            next;
        }
        if (/\tmov\s+\$0x([0-9a-f]+),%esi$/) {
            $esi = hex $1;
            next;
        }
        undef $esi if /,%(?:esi|rsi|si|sil)$/ || /\t(?:call|ret)\b/;
    }
    close $d;
    return (\%uses, $unread);
}
