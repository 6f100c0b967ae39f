import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserRecord } from './records';
import { isUniqueViolation, returnedRow } from './sql';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: 'shopper' | 'admin';
}

function toRecord(r: UserRow): UserRecord {
  return { id: Number(r.id), username: r.username, passwordHash: r.password_hash, role: r.role };
}

export type AdminApplied = 'created' | 'updated' | 'name-taken';

/** Accounts (table users): shoppers who register, and the admin from configuration. */
@Injectable()
export class UserRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findByUsername(username: string): Promise<UserRecord | null> {
    const [row]: UserRow[] = await this.db.query(`SELECT id, username, password_hash, role FROM users WHERE username = $1`, [username]);
    return row ? toRecord(row) : null;
  }

  /** A new shopper; 'taken' when the username exists (the unique key decides, whatever the race). */
  async createShopper(username: string, passwordHash: string): Promise<UserRecord | 'taken'> {
    try {
      const rows: UserRow[] = await this.db.query(
        `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'shopper') RETURNING id, username, password_hash, role`,
        [username, passwordHash],
      );
      return toRecord(returnedRow(rows, 'INSERT INTO users'));
    } catch (err) {
      if (isUniqueViolation(err)) return 'taken';
      throw err;
    }
  }

  /**
   * The admin account as configured: created, or its password hash replaced, so the configured password is the
   * one that works (an admin/admin row from development does not survive into production). A shopper who holds
   * the name is never turned into the admin: 'name-taken'.
   */
  async applyAdmin(username: string, passwordHash: string): Promise<AdminApplied> {
    // xmax is 0 on a freshly inserted row version and non-zero on the one an ON CONFLICT update wrote.
    const rows: { created: boolean }[] = await this.db.query(
      `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'admin')
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash WHERE users.role = 'admin'
       RETURNING (xmax = 0) AS created`,
      [username, passwordHash],
    );
    const [row] = rows;
    if (!row) return 'name-taken';
    return row.created ? 'created' : 'updated';
  }
}
