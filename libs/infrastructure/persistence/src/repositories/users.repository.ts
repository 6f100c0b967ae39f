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

  /** Creates the admin account unless it exists; true when it was created. */
  async ensureAdmin(username: string, passwordHash: string): Promise<boolean> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'admin') ON CONFLICT (username) DO NOTHING RETURNING id`,
      [username, passwordHash],
    );
    return rows.length > 0;
  }
}
