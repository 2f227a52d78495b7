# Sourced (not executed: keep this file's mode 0644) by the MariaDB image after 01-orion.sql, on an
# empty data directory only, with the server running for initialisation. Makes the one account that
# may change Orion's schema, with the password from ORION_DB_MIGRATE_PASSWORD (the compose file
# gives it to this container and to the api service, which migrates), so no password lives here.
# docker_process_sql comes from the image's entrypoint, which sources this file.
if [ -z "${ORION_DB_MIGRATE_PASSWORD:-}" ]; then
  echo "02-migrate-account.sh: ORION_DB_MIGRATE_PASSWORD is not set" >&2
  return 1
fi
orion_migrate_pw=$(printf '%s' "$ORION_DB_MIGRATE_PASSWORD" | sed "s/\\\\/\\\\\\\\/g; s/'/''/g")
docker_process_sql --database=mysql <<SQL
CREATE USER IF NOT EXISTS 'orion_migrate'@'%' IDENTIFIED BY '${orion_migrate_pw}';
GRANT ALL PRIVILEGES ON orion.* TO 'orion_migrate'@'%';
SQL
unset orion_migrate_pw
