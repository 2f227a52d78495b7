-- Run once by the MariaDB image on an empty data directory (docker-entrypoint-initdb.d).
-- The image itself creates the account named by MARIADB_USER with MARIADB_PASSWORD, so no
-- password lives in this file; here the database gets its character set and the account its
-- rights: rows only, no schema changes. Flyway (run by the api service, ORION_DB_MIGRATE=true)
-- creates the tables as orion_migrate (02-migrate-account.sh).
CREATE DATABASE IF NOT EXISTS orion CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER DATABASE orion CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'orion'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON orion.* TO 'orion'@'%';
FLUSH PRIVILEGES;
