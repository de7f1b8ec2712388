import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

/** What flows need from a connection or a transaction: the same SQL runs on PGlite and PostgreSQL. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * Opens the database the config names: PostgreSQL when a URL is given,
 * otherwise PGlite (embedded Postgres in WASM) in memory or in `dataDir`.
 */
export async function openDatabase(options: {
  databaseUrl?: string | undefined
  dataDir?: string | undefined
}): Promise<Database> {
  const db = options.databaseUrl ? postgres(options.databaseUrl) : await pglite(options.dataDir)
  await migrate(db)
  return db
}

async function pglite(dataDir?: string): Promise<Database> {
  return pgliteDatabase(await PGlite.create(dataDir ? { dataDir } : {}))
}

/** Wraps an open PGlite instance (tests clone a migrated template instead of paying initdb each time). */
export function pgliteDatabase(lite: PGlite): Database {
  return {
    kind: 'pglite',
    query: async (sql, params) => (await lite.query(sql, params as never[])).rows as never,
    // PGlite runs one transaction at a time on its single connection; the
    // SQL is the same as on PostgreSQL, so row locks and SKIP LOCKED behave.
    transaction: (fn) =>
      lite.transaction((tx) =>
        fn({ query: async (sql, params) => (await tx.query(sql, params as never[])).rows as never }),
      ),
    close: () => lite.close(),
  }
}

function postgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {})
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params as unknown[])).rows,
    transaction: async (fn) => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn({
          query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        })
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

/** Applies migrations/*.sql in name order, each once, recorded in schema_migrations. */
export async function migrate(db: Database): Promise<string[]> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  )
  const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort()
  const applied: string[] = []
  for (const name of files) {
    const sql = await readFile(join(migrationsDir, name), 'utf8')
    await db.transaction(async (tx) => {
      // Two instances starting on one PostgreSQL must not both apply a migration.
      await tx.query('LOCK TABLE schema_migrations IN EXCLUSIVE MODE')
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name])
      if (done.length) return
      for (const statement of splitStatements(sql)) await tx.query(statement)
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name])
      applied.push(name)
    })
  }
  return applied
}

/** Migrations hold plain DDL separated by `;` at line end (no functions with bodies). */
function splitStatements(sql: string): string[] {
  return sql
    .replace(/--.*$/gm, '')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean)
}
