import type { UserRole } from '@seckill/persistence';

/** Who is calling, as proven by the bearer token. */
export interface AuthUser {
  id: number;
  username: string;
  role: UserRole;
}

export interface TokenClaims {
  sub: string;
  username: string;
  role: UserRole;
}
