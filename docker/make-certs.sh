#!/bin/sh
# Run once by the stack's `certs` service (alpine + openssl) into the `certs` volume: a private CA,
# server certificates for `rabbitmq` and `mongo` (their compose host names) and one client
# certificate for the Celeriac services (RabbitMQ and MongoDB both ask for one). Kept when present,
# so a restart does not change the CA. Keys are readable by the services' users (a demo stack:
# mount real secrets from your orchestrator instead).
set -eu
cd /certs
[ -f ca.pem ] && { echo "certificates exist"; exit 0; }
days=825
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=Celeriac demo CA" -keyout ca.key -out ca.pem
issue() { # name, common name, extensions
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -extfile "$1.ext" -out "$1.pem"
}
issue rabbitmq rabbitmq "subjectAltName=DNS:rabbitmq"
issue mongo mongo "subjectAltName=DNS:mongo"
issue client celeriac "extendedKeyUsage=clientAuth"
cat mongo.pem mongo.key > mongo-with-key.pem
cat client.pem client.key > client-with-key.pem
rm -f ./*.csr ./*.ext ca.key
chmod 644 ./*
echo "certificates made"
