package dev.bertj.heads.mlm;
