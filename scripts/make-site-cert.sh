#!/usr/bin/env bash
# Makes a site's own CA and the controller's HTTPS certificate signed by it, with openssl.
#
#   scripts/make-site-cert.sh DIR NAME...
#
# NAME is each address or host name the screens and desks use to reach the controller
# (e.g. 192.0.2.10 liuhen.example). Writes into DIR:
#   ca.pem    the site CA's certificate: give it to every kiosk and CLI (--ca DIR/ca.pem)
#   ca.key    the CA's private key: keep it off the controller (on a USB key in a safe)
#   api.pem   the controller's certificate  ─┐ tls = { cert = ".../api.pem",
#   api.key   the controller's private key  ─┘       key = ".../api.key" } in the site file
# An existing CA in DIR is reused, so a renewed certificate needs no change on the screens.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 DIR NAME... (each IP address or host name the controller is reached by)" >&2
    exit 2
fi
dir=$1
shift
command -v openssl >/dev/null || {
    echo "openssl is missing: run scripts/setup.sh (or apt-get install openssl)" >&2
    exit 1
}
mkdir -p "$dir"
umask 077

if [ ! -f "$dir/ca.key" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 3650 \
        -subj "/CN=Liuhen site CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

names=""
for name in "$@"; do
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then
        names+="IP:$name,"
    else
        names+="DNS:$name,"
    fi
done
extensions=$(mktemp)
trap 'rm -f "$extensions" "$dir/api.csr"' EXIT
printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "${names%,}" >"$extensions"

openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/api.key" -out "$dir/api.csr" -subj "/CN=liuhen-controller" 2>/dev/null
# 825 days: the longest a server certificate is accepted by browsers that the desks may use.
openssl x509 -req -in "$dir/api.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/api.pem" -days 825 -extfile "$extensions" 2>/dev/null
chmod 0644 "$dir/ca.pem" "$dir/api.pem"
echo "made $dir/api.pem for ${names%,}, signed by $dir/ca.pem"
