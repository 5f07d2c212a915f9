<?php
// bench/peer/job.php: copied unchanged from ../shared/peers/php/job.php, the PHP peer issue 13 measures GET job against (bench/api runs it); only this line was added.
// GET /php/api/v1/jobs/{id} -- the seed-000 "Get Job" endpoint as a LAMP user would
// write it: bearer token -> sha256 -> api_tokens, load the job, check that the user is
// a member of the job's project (a job of another project is a 404), json_encode.
// Three PDO prepared statements on a persistent connection; opcache on.
declare(strict_types=1);
require __DIR__ . '/db.php';

function api_error(int $status, string $code, string $message): never
{
    send_json($status, ['error' => ['code' => $code, 'message' => $message]]);
    exit;
}

// "2026-08-01 00:01:26.400000" -> "2026-08-01T00:01:26Z" (DATETIME(6) columns hold UTC)
function iso(?string $dt): ?string
{
    return $dt === null ? null : substr($dt, 0, 10) . 'T' . substr($dt, 11, 8) . 'Z';
}

if ($_SERVER['REQUEST_METHOD'] !== 'GET') {
    api_error(405, 'METHOD_NOT_ALLOWED', 'Only GET is supported here');
}

// --- authentication: Authorization: Bearer <token>
$auth = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
if (!preg_match('/^Bearer\s+(\S{1,200})$/', $auth, $m)) {
    api_error(401, 'UNAUTHORIZED', 'Missing or malformed bearer token');
}
$native = ($_SERVER['PEER_NATIVE_PREPARES'] ?? '0') === '1';

try {
    $pdo = db($native);

    $st = $pdo->prepare(
        'SELECT user_id FROM api_tokens
          WHERE token_hash = ? AND revoked_at IS NULL
            AND (expires_at IS NULL OR expires_at > NOW(6))');
    $st->execute([hash('sha256', $m[1], true)]);
    $userId = $st->fetchColumn();
    if ($userId === false) {
        api_error(401, 'UNAUTHORIZED', 'Invalid or expired token');
    }

    // --- route: /php/api/v1/jobs/{uuid}
    $path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
    if (!preg_match('~/jobs/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$~',
                    (string)$path, $pm)) {
        api_error(404, 'NOT_FOUND', 'Job not found');
    }

    $st = $pdo->prepare(
        'SELECT id, project_id, status, source, schedule_id, retry_of, config, progress,
                error, created_at, started_at, completed_at, cancelled_at
           FROM jobs WHERE id = ?');
    $st->execute([strtolower($pm[1])]);
    $job = $st->fetch();
    if ($job === false) {
        api_error(404, 'NOT_FOUND', 'Job not found');
    }

    // --- tenancy: the user must be a member of the job's project
    $st = $pdo->prepare('SELECT role FROM project_members WHERE project_id = ? AND user_id = ?');
    $st->execute([$job['project_id'], $userId]);
    if ($st->fetchColumn() === false) {
        api_error(404, 'NOT_FOUND', 'Job not found');
    }
} catch (PDOException $e) {
    error_log('job.php: ' . $e->getMessage());
    api_error(503, 'DB_UNAVAILABLE', 'Database unavailable');
}

// --- render the seed-000 job object
$out = [
    'id'         => $job['id'],
    'project_id' => 'proj_' . $job['project_id'],
    'status'     => $job['status'],
    'source'     => $job['source'],
];
if ($job['schedule_id'] !== null) $out['schedule_id'] = $job['schedule_id'];
if ($job['retry_of'] !== null)    $out['retry_of'] = $job['retry_of'];
$out['config']   = json_decode($job['config'], true);
$out['progress'] = json_decode($job['progress'], true);
if ($job['error'] !== null) $out['error'] = json_decode($job['error'], true);
foreach (['started_at', 'completed_at', 'cancelled_at'] as $k) {
    if ($job[$k] !== null) $out[$k] = iso($job[$k]);
}
$end = $job['completed_at'] ?? $job['cancelled_at'];
if ($job['started_at'] !== null && $end !== null) {
    $out['duration_seconds'] = strtotime($end . ' UTC') - strtotime($job['started_at'] . ' UTC');
}
$out['created_at'] = iso($job['created_at']);

send_json(200, $out);
