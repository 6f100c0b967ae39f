/** Roles a token can carry. */
export type UserRole = 'shopper' | 'admin';

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
