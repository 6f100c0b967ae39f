import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CredentialsDto {
  @ApiProperty({ example: 'alice', description: '3-32 characters: letters, digits, . _ -' })
  @IsString()
  @Length(3, 32)
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'username may contain only letters, digits, ".", "_" and "-"' })
  username!: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128)
  password!: string;
}

/** Login accepts any stored password length (the admin's comes from configuration). */
export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[^\u0000]*$/, { message: 'username must not contain NUL' }) // PostgreSQL text cannot hold one: it was a 500 (npm run fuzz)
  username!: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @Length(1, 128)
  password!: string;
}
