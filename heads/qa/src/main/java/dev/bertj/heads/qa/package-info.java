package dev.bertj.heads.qa;
