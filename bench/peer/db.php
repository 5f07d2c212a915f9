<?php
// bench/peer/db.php: copied unchanged from ../shared/peers/php/db.php, the PHP peer issue 13 measures GET job against (bench/api runs it); only this line was added.
// Shared by the peer-baseline PHP endpoints: one persistent PDO connection per
// php-fpm worker (PDO::ATTR_PERSISTENT), MariaDB over its unix socket.
declare(strict_types=1);

function db(bool $nativePrepares = false): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        $sock = getenv('PEER_DB_SOCKET') ?: '/tmp/peer/mysql.sock';
        $pdo = new PDO("mysql:unix_socket=$sock;dbname=peer;charset=utf8mb4", 'app', 'app-pass', [
            PDO::ATTR_PERSISTENT         => true,
            PDO::ATTR_ERRMODE            => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        ]);
    }
    // Set on every request: a persistent handle keeps its attributes across requests.
    // false = PDO_MYSQL's default (client-side "emulated" prepares, 1 round trip per query);
    // true  = server-side prepared statements (prepare + execute + close per query).
    $pdo->setAttribute(PDO::ATTR_EMULATE_PREPARES, !$nativePrepares);
    return $pdo;
}

function send_json(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($body, JSON_UNESCAPED_SLASHES);
}
